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
-0.03 2.63949728 0.265090198 5.01390437
0.97 1.00958573 0.835004882 1.18416658
1.97 1.08778055 0.787747965 1.38781313
EOD
$d1 << EOD
0.03 1.53191569 1.52400748 1.53982389
1.03 0.429945831 0.425428358 0.434463303
2.03 0.380537797 0.37641782 0.384657773
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
