set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m3_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-52m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 3.4497247 3.42964942 3.46979999
0.97 1.95428108 1.68690633 2.22165583
1.97 1.77785122 1.72776208 1.82794036
EOD
$d1 << EOD
0.03 1.27557474 1.16086861 1.39028088
1.03 0.551052805 0.515916936 0.586188674
2.03 0.439175873 0.401610159 0.476741587
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
