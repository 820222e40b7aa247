set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m5_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-medium: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 9.43161338 9.24637382 9.61685294
0.97 1.46282336 1.20250787 1.72313885
1.97 1.59409206 0.87323941 2.3149447
EOD
$d1 << EOD
0.03 1.63492763 1.25474236 2.01511291
1.03 0.660702577 0.596321578 0.725083575
2.03 0.611695267 0.56314246 0.660248074
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
