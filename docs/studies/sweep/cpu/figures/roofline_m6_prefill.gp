set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m6_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-large: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 5.8805263 4.68069291 7.08035968
0.97 1.59745751 0.918008476 2.27690655
1.97 3.3603762 3.03432901 3.68642338
EOD
$d1 << EOD
0.03 1.54651776 1.37309451 1.71994102
1.03 0.689096628 0.554710613 0.823482643
2.03 0.677675823 0.653120132 0.702231513
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
