set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m1_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-0.8m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 22.5053421 22.0368193 22.973865
0.97 3.47700196 1.76563267 5.18837125
1.97 3.51387249 3.46245513 3.56528985
EOD
$d1 << EOD
0.03 12.4758947 -15.2305541 40.1823436
1.03 0.474924568 0.337050451 0.612798684
2.03 0.686588572 -0.330898085 1.70407523
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
