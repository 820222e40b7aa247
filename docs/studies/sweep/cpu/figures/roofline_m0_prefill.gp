set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 235.004266 226.003616 244.004916
0.97 7.3156433 6.92711883 7.70416778
1.97 2.28744231 2.07869517 2.49618945
EOD
$d1 << EOD
0.03 17.2638761 14.3701958 20.1575564
1.03 2.29607651 2.08349524 2.50865779
2.03 2.15304663 1.5903256 2.71576767
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
